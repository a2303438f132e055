package io.duroxide.provider.postgres;

import io.duroxide.provider.jdbc.Secrets;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Checks a PostgreSQL JDBC URL before pgjdbc sees it. pgjdbc answers a URL it cannot parse with
 * "No suitable driver" after logging a warning that quotes the whole URL, password included; this check
 * turns every such URL into one error that says what is wrong and quotes the URL masked.
 */
final class PostgresUrl {
    static final String PREFIX = "jdbc:postgresql:";
    private static final String FORM = " (expected jdbc:postgresql://host[:port]/database?user=U&password=P)";

    private PostgresUrl() {}

    /** Throws IllegalArgumentException, naming the fault, unless pgjdbc would accept {@code url} without a warning. */
    static void check(String url) {
        if (!url.startsWith(PREFIX)) {
            throw invalid(url, "not a PostgreSQL JDBC URL");
        }
        String rest = url.substring(PREFIX.length());
        int question = rest.indexOf('?');
        String server = question < 0 ? rest : rest.substring(0, question);
        if (server.startsWith("//")) {
            server = server.substring(2);
            int slash = server.indexOf('/');
            if (slash < 0) {
                throw invalid(url, "no '/' and database name after the host and port");
            }
            String hosts = server.substring(0, slash);
            if (hosts.contains("@")) {
                throw invalid(url, "user and password cannot precede the host (user:password@host);"
                        + " give them as ?user=U&password=P");
            }
            for (String address : hosts.split(",", -1)) {
                checkPort(url, address);
            }
            decodes(url, server.substring(slash + 1), "the database name");
        } else {
            decodes(url, server, "the database name");
        }
        if (question >= 0) {
            for (String parameter : rest.substring(question + 1).split("&")) {
                decodes(url, parameter, "a parameter");
            }
        }
    }

    /** pgjdbc takes what follows the last ':' outside an [IPv6] bracket as the port. */
    private static void checkPort(String url, String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 0 || address.lastIndexOf(']') > colon) {
            return;
        }
        String port = address.substring(colon + 1);
        boolean valid = !port.isEmpty() && port.length() <= 5 && port.chars().allMatch(Character::isDigit)
                && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535;
        if (!valid) {
            throw invalid(url, "port '" + port + "' is not a number from 1 to 65535");
        }
    }

    private static void decodes(String url, String part, String what) {
        try {
            URLDecoder.decode(part, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid(url, what + " is not correctly %-encoded");
        }
    }

    private static IllegalArgumentException invalid(String url, String fault) {
        return new IllegalArgumentException("invalid PostgreSQL URL '" + Secrets.mask(url) + "': " + fault + FORM);
    }
}
