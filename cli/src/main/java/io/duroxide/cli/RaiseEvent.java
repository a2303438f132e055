package io.duroxide.cli;

import io.duroxide.api.DuroxideClient;
import io.duroxide.provider.Provider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "raise-event", description = "Deliver an event to an instance's waitForExternalEvent.")
final class RaiseEvent extends ManagementCommand {
    @Parameters(index = "1", paramLabel = "NAME", description = "event name")
    String eventName;

    @Parameters(index = "2", paramLabel = "JSON", arity = "0..1", defaultValue = "null",
            description = "event data as JSON, e.g. '{\"approved\":true}' or '\"text\"' (default: null)")
    String data;

    @Override
    String apply(DuroxideClient client, Provider provider) {
        client.raiseEvent(instanceId, eventName, CliJson.argument("event data", data));
        return "raised event '" + eventName + "' on instance '" + instanceId + "'";
    }
}
