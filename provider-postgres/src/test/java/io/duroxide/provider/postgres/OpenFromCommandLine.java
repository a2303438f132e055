package io.duroxide.provider.postgres;

/** Run in a child JVM by {@link PostgresUrlTest}: opens a provider on the URL given and prints what became of it. */
public final class OpenFromCommandLine {
    private OpenFromCommandLine() {}

    public static void main(String[] args) {
        try (PostgresProvider provider = PostgresProvider.open(args[0])) {
            System.out.println("opened " + provider);
        } catch (RuntimeException e) {
            System.out.println("refused: " + e.getMessage());
            System.exit(1);
        }
    }
}
