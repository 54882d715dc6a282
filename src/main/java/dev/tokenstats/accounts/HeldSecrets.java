package dev.tokenstats.accounts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Secrets checked on every request (ingest keys, personal tokens), held in memory by their hashes and reloaded from
 * the database every {@code tokenstats.accounts.refresh}: with several instances on one database, what another
 * instance created or revoked counts here within that time. A subclass's own changes synchronize on it, as the
 * reload does, so that a change it makes is never undone by a load that started before.
 */
abstract class HeldSecrets {

    private static final Logger log = LoggerFactory.getLogger(HeldSecrets.class);

    private final String what;

    HeldSecrets(String what) {
        this.what = what;
    }

    /** Makes what is held in memory what the table holds now (subclasses call it at start: a failure fails the start). */
    abstract void reload();

    @Scheduled(initialDelayString = "${tokenstats.accounts.refresh:PT1S}", fixedDelayString = "${tokenstats.accounts.refresh:PT1S}")
    synchronized void refresh() {
        try {
            reload();
        } catch (RuntimeException e) { // the database is unreachable: the next run tries again, memory stays as it was
            log.warn("reloading {} from the database failed: {}", what, e.getMessage());
        }
    }
}
