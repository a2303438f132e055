package io.duroxide.cli;

import io.duroxide.api.DuroxideClient;
import picocli.CommandLine.Command;

@Command(name = "suspend", description = "Stop running an instance's code until resume; its messages are kept.")
final class Suspend extends ControlCommand {
    @Override
    void send(DuroxideClient client) {
        client.suspend(instanceId, reason);
    }

    @Override
    String what() {
        return "suspend requested for";
    }
}
