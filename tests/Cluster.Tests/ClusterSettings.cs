using Switchboard.TestSupport;

namespace Switchboard.Cluster.Tests;

/// <summary>What every process of a test cluster is given: WhatsApp webhooks signed with <see cref="AppSecret"/>, the shipped tenants, warnings only.</summary>
public static class ClusterSettings
{
    public const string AppSecret = "cluster-test-app-secret";

    public static Dictionary<string, string?> Base(bool dashboard = false) => new()
    {
        ["WhatsApp:AppSecret"] = AppSecret,
        ["WhatsApp:VerifyToken"] = "cluster-verify",
        ["WhatsApp:PhoneNumberId"] = WhatsAppWebhookPost.DefaultPhoneNumberId,
        ["Dashboard:Enabled"] = dashboard ? "true" : "false",
    };
}

/// <summary>One after another: each fault test runs its own five processes, and two at once would only starve each other.</summary>
[CollectionDefinition("cluster", DisableParallelization = true)]
public sealed class ClusterCollection;
