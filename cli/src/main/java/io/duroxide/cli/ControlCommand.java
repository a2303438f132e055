package io.duroxide.cli;

import io.duroxide.api.DuroxideClient;
import io.duroxide.provider.Provider;
import picocli.CommandLine.Option;

/** Cancel, suspend or resume: a control message with an optional reason, acted on at the instance's next turn. */
abstract class ControlCommand extends ManagementCommand {
    @Option(names = "--reason", paramLabel = "TEXT", description = "recorded in the instance's history")
    String reason;

    @Override
    final String apply(DuroxideClient client, Provider provider) {
        send(client);
        return what() + " instance '" + instanceId + "' (takes effect at its next turn)";
    }

    abstract void send(DuroxideClient client);

    /** The past tense for the confirmation, e.g. {@code cancel requested for}. */
    abstract String what();
}
