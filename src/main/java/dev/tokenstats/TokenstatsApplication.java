package dev.tokenstats;

import dev.tokenstats.demo.Demo;
import dev.tokenstats.imports.ImportCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
@org.springframework.scheduling.annotation.EnableScheduling
public class TokenstatsApplication {
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("import")) {
            // an importer: no web server (see ImportCommand)
            System.exit(ImportCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        SpringApplication.run(TokenstatsApplication.class, Demo.arguments(args));
    }
}
