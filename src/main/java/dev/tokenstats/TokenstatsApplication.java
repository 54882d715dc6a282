package dev.tokenstats;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
@org.springframework.scheduling.annotation.EnableScheduling
public class TokenstatsApplication {
    public static void main(String[] args) {
        SpringApplication.run(TokenstatsApplication.class, args);
    }
}
