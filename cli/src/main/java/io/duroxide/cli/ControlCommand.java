package io.duroxide.cli;

import io.duroxide.api.DuroxideClient;
import io.duroxide.provider.Provider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Cancel, suspend or resume: a control message with an optional reason, acted on at the instance's next turn. */
@Command
final class ControlCommand extends ManagementCommand {
    /** The three control messages, as {@link DuroxideClient} sends them. */
    enum Control {
        CANCEL("cancel", "Cancel a running instance and its sub-orchestrations; it ends CANCELLED.", DuroxideClient::cancel),
        SUSPEND("suspend", "Stop running an instance's code until resume; its messages are kept.", DuroxideClient::suspend),
        RESUME("resume", "Resume a suspended instance.", DuroxideClient::resume);

        final String command;
        final String description;
        final Send send;

        Control(String command, String description, Send send) {
            this.command = command;
            this.description = description;
            this.send = send;
        }

        /** The subcommand for this control message. */
        CommandLine commandLine() {
            CommandLine cli = new CommandLine(new ControlCommand(this));
            cli.getCommandSpec().usageMessage().description(description);
            return cli;
        }
    }

    @FunctionalInterface
    interface Send {
        void send(DuroxideClient client, String instanceId, String reason);
    }

    private final Control control;

    @Option(names = "--reason", paramLabel = "TEXT", description = "recorded in the instance's history")
    String reason;

    private ControlCommand(Control control) {
        this.control = control;
    }

    @Override
    String apply(DuroxideClient client, Provider provider) {
        control.send.send(client, instanceId, reason);
        return control.command + " requested for instance '" + instanceId + "' (takes effect at its next turn)";
    }
}
