package dev.kiln.server;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

/**
 * Where the store lives: embedded SQLite ({@code $KILN_HOME/kiln.db}, the default) or PostgreSQL
 * ({@code postgresql://user:password@host:port/database}), with the few SQL differences between them.
 */
public record Database(Dialect dialect, String jdbcUrl, Properties properties, String display) {

    /** The SQL spoken by a backend. */
    public enum Dialect {
        SQLITE("BLOB"), POSTGRESQL("BYTEA");

        final String blob;

        Dialect(String blob) {
            this.blob = blob;
        }
    }

    /** SQLite at {@code file}; the folder is created. */
    public static Database sqlite(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot create the folder of " + file + ": " + e.getMessage(), e);
        }
        return new Database(Dialect.SQLITE, "jdbc:sqlite:" + file.toAbsolutePath(), new Properties(), file.toAbsolutePath().toString());
    }

    /**
     * Parses {@code --db}: {@code postgresql://user:pw@host:5432/kiln}, {@code sqlite:PATH} or a plain file path;
     * null means {@code $KILN_HOME/kiln.db}.
     */
    public static Database parse(String url, Path kilnHome) {
        if (url == null || url.isBlank()) {
            return sqlite(kilnHome.resolve("kiln.db"));
        }
        if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
            URI uri = URI.create(url);
            if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
                throw new IllegalArgumentException("--db " + redact(url) + ": expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE");
            }
            Properties p = new Properties();
            if (uri.getRawUserInfo() != null) {
                String[] up = uri.getRawUserInfo().split(":", 2);
                p.setProperty("user", URLDecoder.decode(up[0], StandardCharsets.UTF_8));
                if (up.length > 1) {
                    p.setProperty("password", URLDecoder.decode(up[1], StandardCharsets.UTF_8));
                }
            }
            String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + uri.getPath()
                    + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
            return new Database(Dialect.POSTGRESQL, jdbc, p, redact(url));
        }
        if (url.startsWith("sqlite:")) {
            return sqlite(Path.of(url.substring("sqlite:".length())));
        }
        if (url.contains("://")) {
            throw new IllegalArgumentException("--db " + redact(url) + ": unsupported database; use postgresql://USER:PASSWORD@HOST:PORT/DATABASE or a SQLite file path");
        }
        return sqlite(Path.of(url));
    }

    private static String redact(String url) {
        return url.replaceAll("://([^:@/]+):[^@/]*@", "://$1:***@");
    }

    Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(jdbcUrl, properties);
        if (dialect == Dialect.SQLITE) {
            try (Statement s = c.createStatement()) {
                // WAL + FULL: a commit is on disk before it returns (survives kill -9 and power loss).
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=10000");
                s.execute("PRAGMA foreign_keys=ON");
            }
        }
        return c;
    }

    /** The versioned migrations; {@code %BLOB%} becomes the dialect's binary type. Append only, never edit. */
    static final List<String> MIGRATIONS = List.of(
            // 1: users, runs, events, metric points with their high-water marks, artifacts, plugins
            """
            CREATE TABLE users (name VARCHAR(64) PRIMARY KEY, token_sha256 CHAR(64) NOT NULL UNIQUE,
              role VARCHAR(16) NOT NULL, created_ms BIGINT NOT NULL);
            CREATE TABLE runs (id VARCHAR(100) PRIMARY KEY, seq BIGINT NOT NULL UNIQUE, owner VARCHAR(64) NOT NULL,
              request_id VARCHAR(128), spec %BLOB% NOT NULL, state VARCHAR(16) NOT NULL, priority INT NOT NULL,
              attempt INT NOT NULL, worker VARCHAR(200), created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL,
              error TEXT, last_sequence BIGINT NOT NULL, checkpoint VARCHAR(200), resume_step BIGINT NOT NULL,
              UNIQUE (owner, request_id));
            CREATE INDEX runs_state ON runs (state, priority, seq);
            CREATE TABLE events (run_id VARCHAR(100) NOT NULL, sequence BIGINT NOT NULL, attempt INT NOT NULL,
              payload %BLOB% NOT NULL, PRIMARY KEY (run_id, sequence));
            CREATE TABLE metrics (run_id VARCHAR(100) NOT NULL, attempt INT NOT NULL, step BIGINT NOT NULL,
              mkey VARCHAR(128) NOT NULL, value DOUBLE PRECISION NOT NULL, PRIMARY KEY (run_id, attempt, step, mkey));
            CREATE TABLE high_water (run_id VARCHAR(100) NOT NULL, attempt INT NOT NULL, batch BIGINT NOT NULL,
              PRIMARY KEY (run_id, attempt));
            CREATE TABLE artifacts (id VARCHAR(100) PRIMARY KEY, run_id VARCHAR(100) NOT NULL, attempt INT NOT NULL,
              kind VARCHAR(16) NOT NULL, file_name VARCHAR(200) NOT NULL, step BIGINT NOT NULL, size_bytes BIGINT NOT NULL,
              sha256 CHAR(64) NOT NULL, created_ms BIGINT NOT NULL);
            CREATE INDEX artifacts_run ON artifacts (run_id);
            CREATE TABLE plugins (file_name VARCHAR(200) PRIMARY KEY, sha256 CHAR(64) NOT NULL, size_bytes BIGINT NOT NULL,
              installed_ms BIGINT NOT NULL, installed_by VARCHAR(64) NOT NULL)
            """);
}
