package dev.tokenstats;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/** Dependencies run one way: web -> features (ingest, stats, logs, accounts) -> store; no cycles, no reaching into internals. */
class ModularityTest {

    @Test
    void modulesDependOnlyOnEachOthersPublicTypesWithoutCycles() {
        ApplicationModules.of(TokenstatsApplication.class).verify();
    }
}
