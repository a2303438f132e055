package io.duroxide.provider.jdbc;

import java.util.regex.Pattern;

/**
 * Masks the password-shaped parts of a text before it reaches a message, a log line or a progress line:
 * the password of a URL's userinfo ({@code scheme://user:PASSWORD@host}) and the value of a
 * {@code password=}, {@code pass=}, {@code pwd=} or {@code passwd=} parameter or property (also with a
 * prefix such as {@code sslpassword=}), in any letter case. Everything else is left as it was, so a
 * masked URL still says which server and database were meant.
 */
public final class Secrets {
    public static final String MASK = "***";

    /** {@code scheme://user:} then the password up to the last {@code @} before the host. */
    private static final Pattern USERINFO_PASSWORD =
            Pattern.compile("(?i)([a-z][a-z0-9+.-]*://[^\\s/?#@:]*:)[^\\s/?#]*@");

    /**
     * A parameter whose name is (or ends in) password, or is pass, passwd or pwd, then its value up to the
     * next parameter separator ({@code & ;}), white space, quote, or a colon that ends a phrase (as in
     * {@code ...password=P: connection refused}). The look-behind keeps names such as {@code bypass=} or
     * {@code compass=} as they are.
     */
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile(
            "(?i)(?<![a-z0-9_])([a-z0-9_.-]*password|passwd|pass|pwd)(\\s*=\\s*)(?:[^&;\\s'\":]|:(?!\\s|$))*");

    private Secrets() {}

    /** {@code text} with every password-shaped part replaced by {@value #MASK}; null stays null. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String masked = USERINFO_PASSWORD.matcher(text).replaceAll("$1" + MASK + "@");
        return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1$2" + MASK);
    }
}
