package dev.tokenstats.accounts;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

import java.io.Serializable;

/**
 * The person (or their script) reading usage: the one place that decides which account a read is for.
 * Members read only their own account; admins read any account they name.
 */
public record Viewer(String username, Role role, String account) implements Serializable {

    public enum Role { member, admin }

    public boolean admin() {
        return role == Role.admin;
    }

    /** The signed-in viewer of the current request; 403 for callers that are not users (ingest keys). */
    public static Viewer current() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth != null && auth.getPrincipal() instanceof UserAccount user) {
            return user.viewer();
        }
        throw new AccessDeniedException("only signed-in users read usage");
    }

    /**
     * The account to read when {@code requested} (may be null or blank) was asked for.
     *
     * @throws AccessDeniedException when a member asks for another account
     * @throws IllegalArgumentException when an admin without an account of their own names none
     */
    public String accountToRead(String requested) {
        boolean named = requested != null && !requested.isBlank();
        if (!admin()) {
            if (named && !requested.equals(account)) {
                throw new AccessDeniedException("members read only their own account");
            }
            return account;
        }
        if (named) {
            return requested;
        }
        if (account == null) {
            throw new IllegalArgumentException("admins name the account to read: add ?account=<account>");
        }
        return account;
    }
}
