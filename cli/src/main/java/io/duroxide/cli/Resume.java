package io.duroxide.cli;

import io.duroxide.api.DuroxideClient;
import picocli.CommandLine.Command;

@Command(name = "resume", description = "Resume a suspended instance.")
final class Resume extends ControlCommand {
    @Override
    void send(DuroxideClient client) {
        client.resume(instanceId, reason);
    }

    @Override
    String what() {
        return "resume requested for";
    }
}
