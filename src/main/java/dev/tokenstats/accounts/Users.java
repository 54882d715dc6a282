package dev.tokenstats.accounts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The people who sign in. Passwords are hashed by Spring Security's delegating encoder (bcrypt). */
@Service
public class Users implements UserDetailsService {

    private static final Logger log = LoggerFactory.getLogger(Users.class);
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    /** A user as listed (never the password hash). */
    public record Info(String username, Viewer.Role role, String account, Instant createdAt) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
    private final String adminPassword;

    Users(JdbcClient jdbc, Clock clock, ApplicationEventPublisher events,
          @Value("${tokenstats.admin-password:}") String adminPassword) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.events = events;
        this.adminPassword = adminPassword;
    }

    public PasswordEncoder encoder() {
        return encoder;
    }

    /** Creates a user; {@code account} is required for members and optional for admins. */
    public synchronized Viewer create(String username, String password, Viewer.Role role, String account) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new IllegalArgumentException("username must be 1-64 characters of A-Z a-z 0-9 . _ @ -");
        }
        if (password == null || password.length() < 8 || password.length() > 128) {
            throw new IllegalArgumentException("password must be 8-128 characters");
        }
        if (role == null) {
            throw new IllegalArgumentException("role must be member or admin");
        }
        if (account != null && account.isBlank()) {
            account = null;
        }
        if (role == Viewer.Role.member && account == null) {
            throw new IllegalArgumentException("a member needs an account");
        }
        if (account != null && !ACCOUNT.matcher(account).matches()) {
            throw new IllegalArgumentException("account must be 1-64 characters of A-Z a-z 0-9 . _ @ -");
        }
        if (find(username) != null) {
            throw new IllegalStateException("user " + username + " exists");
        }
        jdbc.sql("INSERT INTO users (username, password_hash, role, account, created_at) VALUES (?, ?, ?, ?, ?)")
                .params(username, encoder.encode(password), role.name(), account, now()).update();
        return new Viewer(username, role, account);
    }

    public void changePassword(String username, String newPassword) {
        if (newPassword == null || newPassword.length() < 8 || newPassword.length() > 128) {
            throw new IllegalArgumentException("password must be 8-128 characters");
        }
        jdbc.sql("UPDATE users SET password_hash = ? WHERE username = ?").params(encoder.encode(newPassword), username).update();
    }

    /**
     * Changes a user's own password after checking the current one.
     *
     * @return false (and nothing changed) when {@code currentPassword} is not the user's password
     */
    public boolean changeOwnPassword(String username, String currentPassword, String newPassword) {
        UserAccount user = find(username);
        if (user == null || currentPassword == null || !encoder.matches(currentPassword, user.getPassword())) {
            return false;
        }
        changePassword(username, newPassword);
        log.info("user {} changed their password", username);
        return true;
    }

    public List<Info> list() {
        return jdbc.sql("SELECT username, role, account, created_at FROM users ORDER BY username")
                .query((rs, n) -> new Info(rs.getString(1), Viewer.Role.valueOf(rs.getString(2)), rs.getString(3),
                        IngestKeys.instant(rs.getObject(4, LocalDateTime.class))))
                .list();
    }

    /**
     * Which of these signed-in principals no longer stand for a user as the table has it now: deleted (perhaps by
     * another instance sharing the database) or created again with another role or account. Their sessions end.
     */
    public List<Object> gone(Collection<Object> principals) {
        Set<Viewer> now = new HashSet<>();
        list().forEach(u -> now.add(new Viewer(u.username(), u.role(), u.account())));
        return principals.stream().filter(p -> p instanceof UserAccount u && !now.contains(u.viewer())).toList();
    }

    /** The distinct accounts users belong to. */
    public List<String> accounts() {
        return jdbc.sql("SELECT DISTINCT account FROM users WHERE account IS NOT NULL ORDER BY account")
                .query(String.class).list();
    }

    /**
     * Deletes a user, their tokens and (through {@link UserRemoved}) their sessions.
     *
     * @return false when there is no such user
     * @throws IllegalStateException when it is the last admin
     */
    public synchronized boolean delete(String username) {
        UserAccount user = find(username);
        if (user == null) {
            return false;
        }
        int deleted = jdbc.sql("DELETE FROM users WHERE username = ? AND (role <> 'admin'"
                + " OR (SELECT count(*) FROM users WHERE role = 'admin') > 1)").param(username).update();
        if (deleted == 0) {
            throw new IllegalStateException("cannot delete the last admin; create another admin first");
        }
        log.info("user {} deleted", username);
        events.publishEvent(new UserRemoved(username));
        return true;
    }

    private LocalDateTime now() {
        return LocalDateTime.now(clock.withZone(ZoneOffset.UTC));
    }

    private UserAccount find(String username) {
        return jdbc.sql("SELECT username, password_hash, role, account FROM users WHERE username = ?").param(username)
                .query((rs, n) -> new UserAccount(new Viewer(rs.getString(1), Viewer.Role.valueOf(rs.getString(3)),
                        rs.getString(4)), rs.getString(2)))
                .optional().orElse(null);
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        UserAccount user = find(username);
        if (user == null) {
            throw new UsernameNotFoundException("no such user");
        }
        return user;
    }

    /**
     * {@code TOKENSTATS_ADMIN_PASSWORD} makes sure user {@code admin} exists with that password; without it
     * and without any admin, the first start prints a generated one-time admin password.
     */
    @EventListener(ApplicationStartedEvent.class)
    void bootstrapAdmin() {
        UserAccount admin = find("admin");
        if (adminPassword != null && !adminPassword.isBlank()) {
            if (admin == null) {
                create("admin", adminPassword, Viewer.Role.admin, null);
            } else if (!encoder.matches(adminPassword, admin.getPassword())) {
                changePassword("admin", adminPassword);
            }
            return;
        }
        long admins = jdbc.sql("SELECT count(*) FROM users WHERE role = 'admin'").query(Long.class).single();
        if (admins == 0) {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            create("admin", generated, Viewer.Role.admin, null);
            // Printed once to the console on purpose (not to the log), so it does not end up in log files.
            System.out.println("\ntokenstats: created user 'admin' with the one-time password: " + generated
                    + "\n(change it after signing in, or set TOKENSTATS_ADMIN_PASSWORD)\n");
        }
    }
}
