package io.duroxide.cli;

import io.duroxide.api.InstanceNotFoundException;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.jdbc.Secrets;
import io.duroxide.provider.postgres.PostgresOptions;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code duroxide}: inspects and manages the instances of a store from the command line. Reads never change
 * the store; only the management commands (cancel, suspend, resume, raise-event, purge) write to it.
 */
@Command(name = "duroxide", mixinStandardHelpOptions = true, versionProvider = DuroxideCli.Version.class,
        description = "Inspect and manage the instances of a Duroxide store (a SQLite file or a PostgreSQL database).",
        subcommands = {ListCommand.class, ShowCommand.class, HistoryCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:no such instance, or the operation was refused",
                "2:usage error", "3:the store cannot be opened or read"})
public final class DuroxideCli {

    @Option(names = "--store", scope = ScopeType.INHERIT, paramLabel = "FILE|URL", defaultValue = "${env:DUROXIDE_STORE}",
            description = "SQLite file, or jdbc:postgresql://HOST:PORT/DB?user=U&password=P (default: $DUROXIDE_STORE)")
    String store;

    @Option(names = "--schema", scope = ScopeType.INHERIT, paramLabel = "NAME", defaultValue = PostgresOptions.DEFAULT_SCHEMA,
            description = "PostgreSQL schema of the store (default: ${DEFAULT-VALUE})")
    String schema;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new DuroxideCli());
        for (ControlCommand.Control control : ControlCommand.Control.values()) {
            cli.addSubcommand(control.command, control.commandLine());
        }
        cli.addSubcommand(new RaiseEvent()).addSubcommand(new Purge());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> fail(commandLine.getErr(), e));
        cli.setParameterExceptionHandler((e, parseResult) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("duroxide: " + Secrets.mask(e.getMessage()));
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return CliFailure.USAGE;
        });
        return cli;
    }

    /** One line on standard error, and the exit code of the failure. */
    private static int fail(PrintWriter err, Exception e) {
        int code;
        String message;
        if (e instanceof CliFailure f) {
            code = f.exitCode();
            message = f.getMessage();
        } else if (e instanceof InstanceNotFoundException || e instanceof IllegalStateException) {
            code = CliFailure.REFUSED;
            message = e.getMessage();
        } else if (e instanceof ProviderException) {
            code = CliFailure.STORE_UNAVAILABLE;
            message = "the store failed: " + e.getMessage();
        } else {
            code = CliFailure.STORE_UNAVAILABLE;
            message = "unexpected failure: " + e;
        }
        err.println("duroxide: " + Secrets.mask(message));
        err.flush();
        return code;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = DuroxideCli.class.getPackage().getImplementationVersion();
            return new String[] {"duroxide " + (version == null ? "(development build)" : version)};
        }
    }
}
