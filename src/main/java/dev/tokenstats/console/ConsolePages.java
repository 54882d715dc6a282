package dev.tokenstats.console;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import java.time.Duration;

/**
 * The console's pages are static files ({@code static/*.html} with ES modules, no server-side rendering); this
 * gives them their plain addresses. {@code /} is the Usage Stats page ({@code index.html}, Spring Boot's welcome
 * page). WebJar files have their version in the path, so browsers may keep them for a year; the console's own
 * scripts and stylesheet may be kept but are revalidated on every use (a 304 when unchanged).
 */
@Configuration(proxyBeanMethods = false)
class ConsolePages implements WebMvcConfigurer {

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addViewController("/logs").setViewName("forward:/logs.html");
        registry.addViewController("/account").setViewName("forward:/account.html");
        registry.addViewController("/admin").setViewName("forward:/admin.html");
    }

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/webjars/**")
                .addResourceLocations("classpath:/META-INF/resources/webjars/")
                .setCacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable());
        registry.addResourceHandler("/js/**").addResourceLocations("classpath:/static/js/")
                .setCacheControl(CacheControl.noCache().cachePrivate());
        registry.addResourceHandler("/css/**").addResourceLocations("classpath:/static/css/")
                .setCacheControl(CacheControl.noCache().cachePrivate());
    }
}
