package io.duroxide.cli;

import io.duroxide.provider.Provider;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A subcommand that works on the store named by {@code --store}: opens it, runs, closes it. */
abstract class StoreCommand implements Callable<Integer> {
    @ParentCommand
    DuroxideCli root;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public final Integer call() {
        try (Provider provider = StoreOpener.open(root.store, root.schema)) {
            PrintWriter out = spec.commandLine().getOut();
            int code = run(provider, out);
            out.flush();
            return code;
        }
    }

    /** Runs against the open store, printing to {@code out}; returns the exit code. */
    abstract int run(Provider provider, PrintWriter out);
}
