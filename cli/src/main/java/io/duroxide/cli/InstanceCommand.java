package io.duroxide.cli;

import io.duroxide.api.InstanceNotFoundException;
import io.duroxide.api.InstanceStatus;
import io.duroxide.provider.Provider;
import java.io.PrintWriter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A read command about one instance, printed for people or, with {@code --json}, for scripts. */
abstract class InstanceCommand extends StoreCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "instance id")
    String instanceId;

    @Option(names = "--json", description = "print JSON for scripts")
    boolean json;

    @Override
    final int run(Provider provider, PrintWriter out) {
        InstanceStatus instance = provider.getInstance(instanceId).orElseThrow(() -> new InstanceNotFoundException(instanceId));
        show(provider, instance, out);
        return 0;
    }

    abstract void show(Provider provider, InstanceStatus instance, PrintWriter out);
}
