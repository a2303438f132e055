package io.duroxide.cli;

import io.duroxide.api.DuroxideClient;
import picocli.CommandLine.Command;

@Command(name = "cancel", description = "Cancel a running instance and its sub-orchestrations; it ends CANCELLED.")
final class Cancel extends ControlCommand {
    @Override
    void send(DuroxideClient client) {
        client.cancel(instanceId, reason);
    }

    @Override
    String what() {
        return "cancel requested for";
    }
}
