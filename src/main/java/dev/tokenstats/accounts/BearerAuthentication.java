package dev.tokenstats.accounts;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.AuthorityUtils;

import java.util.Collection;

/**
 * A secret sent as {@code Authorization: Bearer <secret>}: before the check it carries the secret; after it,
 * who the secret stands for (an ingest key, or the user of a personal token) and never the secret.
 */
public final class BearerAuthentication extends AbstractAuthenticationToken {

    private final String secret;
    private final Object principal;

    private BearerAuthentication(String secret, Object principal, Collection<? extends GrantedAuthority> authorities) {
        super(authorities);
        this.secret = secret;
        this.principal = principal;
        setAuthenticated(secret == null);
    }

    /** The secret as sent, not yet checked. */
    public static BearerAuthentication unchecked(String secret) {
        return new BearerAuthentication(secret, null, AuthorityUtils.NO_AUTHORITIES);
    }

    static BearerAuthentication checked(Object principal, Collection<? extends GrantedAuthority> authorities) {
        return new BearerAuthentication(null, principal, authorities);
    }

    @Override
    public Object getCredentials() {
        return secret;
    }

    @Override
    public Object getPrincipal() {
        return principal;
    }

    @Override
    public String toString() {
        return "BearerAuthentication[principal=" + (principal instanceof UserAccount u ? u.getUsername() : principal)
                + ", authorities=" + getAuthorities() + "]";
    }
}
