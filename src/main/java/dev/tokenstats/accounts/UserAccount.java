package dev.tokenstats.accounts;

import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.userdetails.User;

/** A signed-in user as Spring Security holds it, carrying the {@link Viewer} it stands for. */
final class UserAccount extends User {

    private final Viewer viewer;

    UserAccount(Viewer viewer, String passwordHash) {
        super(viewer.username(), passwordHash, AuthorityUtils.createAuthorityList("ROLE_" + viewer.role().name().toUpperCase()));
        this.viewer = viewer;
    }

    Viewer viewer() {
        return viewer;
    }
}
