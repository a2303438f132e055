package io.duroxide.cli;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.InstanceNotFoundException;
import io.duroxide.provider.Provider;
import picocli.CommandLine.Command;

@Command(name = "purge", description = "Delete an ended instance with its history and its sub-orchestrations.")
final class Purge extends ManagementCommand {
    @Override
    String apply(DuroxideClient client, Provider provider) {
        int deleted = client.purgeInstance(instanceId);
        if (deleted == 0) {
            throw new InstanceNotFoundException(instanceId);
        }
        return "purged instance '" + instanceId + "'" + (deleted > 1 ? " and " + (deleted - 1) + " sub-orchestration(s)" : "");
    }
}
