package dev.tokenstats.imports;

import dev.tokenstats.store.UsageStore;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.ComponentScan;

/**
 * The Spring context of an in-process import: the store feature only (its configuration, the database it
 * chooses, migrations) — no web server, no users, no keys. Deliberately not a {@code @Configuration}, so
 * the server's component scan never picks it up.
 */
@ComponentScan(basePackageClasses = UsageStore.class)
@ImportAutoConfiguration({DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class})
class ImportContext {
}
