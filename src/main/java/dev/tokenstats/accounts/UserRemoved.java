package dev.tokenstats.accounts;

/** Published after a user was deleted: their tokens are gone, and their signed-in sessions must end. */
public record UserRemoved(String username) {
}
