package io.duroxide.cli;

import io.duroxide.api.DuroxideClient;
import io.duroxide.provider.Provider;
import io.duroxide.runtime.ProviderClient;
import java.io.PrintWriter;
import picocli.CommandLine.Parameters;

/**
 * A command that writes to the store for one instance, through the same client calls an application makes
 * (which refuse an instance that has ended). It prints one line saying what was done.
 */
abstract class ManagementCommand extends StoreCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "instance id")
    String instanceId;

    @Override
    final int run(Provider provider, PrintWriter out) {
        out.println(apply(new ProviderClient(provider), provider));
        return 0;
    }

    /** Does the work and says what was done. */
    abstract String apply(DuroxideClient client, Provider provider);
}
