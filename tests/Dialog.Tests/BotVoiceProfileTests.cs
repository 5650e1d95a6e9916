using Microsoft.Extensions.DependencyInjection;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Dialog.Tests;

/// <summary>What the voice channel learns of a tenant's bot through the contract, with the shipped bots loaded in a real silo.</summary>
[Collection(SiloCollection.Name)]
public sealed class BotVoiceProfileTests(SiloFixture fixture)
{
    private IGrainFactory Grains => fixture.Silo.App.Services.GetRequiredService<IGrainFactory>();

    [Fact]
    public async Task A_tenant_bot_gives_the_voice_channel_its_notice_reprompt_and_menu_phrases()
    {
        var profile = await Grains.GetGrain<IBotVoiceGrain>("airline").Profile();

        Assert.NotNull(profile);
        Assert.Equal("This call may be recorded for quality and training.", profile.RecordingNotice);
        Assert.Equal("Sorry, I didn't catch that.", profile.Fallback);
        Assert.Contains("rebook my flight", profile.MenuPhrases, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_tenant_without_a_bot_has_no_voice_profile()
    {
        Assert.Null(await Grains.GetGrain<IBotVoiceGrain>("no-such-tenant").Profile());
    }
}
