package dev.tokenstats.accounts;

import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.stereotype.Service;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks {@code Bearer} secrets: an ingest key (authority {@link #INGEST} only, so it may ingest and read
 * nothing) or a personal access token (the user's role, but no password factor, so it may only read).
 * Both are one SHA-256 and one in-memory lookup.
 */
@Service
public class BearerSecrets implements AuthenticationManager {

    /** The authority of ingest keys. */
    public static final String INGEST = "INGEST";
    private static final List<GrantedAuthority> INGEST_AUTHORITIES = List.of(
            AuthorityUtils.createAuthorityList(INGEST).get(0),
            FactorGrantedAuthority.fromAuthority(FactorGrantedAuthority.BEARER_AUTHORITY));
    /** An ingest key with backfill ({@link IngestKeys#BACKFILL}) may also send events older than the lateness limit. */
    private static final List<GrantedAuthority> BACKFILL_AUTHORITIES = List.of(
            AuthorityUtils.createAuthorityList(INGEST).get(0), AuthorityUtils.createAuthorityList(IngestKeys.BACKFILL).get(0),
            FactorGrantedAuthority.fromAuthority(FactorGrantedAuthority.BEARER_AUTHORITY));

    private final IngestKeys ingestKeys;
    private final PersonalTokens tokens;

    BearerSecrets(IngestKeys ingestKeys, PersonalTokens tokens) {
        this.ingestKeys = ingestKeys;
        this.tokens = tokens;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        if (!(authentication.getCredentials() instanceof String secret) || secret.isEmpty()) {
            throw new BadCredentialsException("send Authorization: Bearer <token>");
        }
        String hash = Secrets.hash(secret);
        if (ingestKeys.isValidHash(hash)) {
            return BearerAuthentication.checked("ingest-key",
                    ingestKeys.mayBackfillHash(hash) ? BACKFILL_AUTHORITIES : INGEST_AUTHORITIES);
        }
        PersonalTokens.Valid token = tokens.use(hash);
        if (token != null) {
            UserAccount user = new UserAccount(token.viewer, "");
            List<GrantedAuthority> authorities = new ArrayList<>(user.getAuthorities());
            authorities.add(FactorGrantedAuthority.fromAuthority(FactorGrantedAuthority.BEARER_AUTHORITY));
            return BearerAuthentication.checked(user, authorities);
        }
        throw new BadCredentialsException("unknown or revoked token");
    }
}
