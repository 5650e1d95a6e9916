using Switchboard.Addressing;
using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Grains.Tests.Identity;

public class AddressNormalizerTests
{
    [Theory]
    [InlineData(AddressKind.WhatsApp, "919800000001")]
    [InlineData(AddressKind.Phone, "sip:+919800000001@sbc.example.net;user=phone")]
    [InlineData(AddressKind.Phone, "<sip:+919800000001@10.0.0.1:5060>")]
    [InlineData(AddressKind.Phone, "tel:+91-98000-00001")]
    [InlineData(AddressKind.Phone, "09800000001")]
    [InlineData(AddressKind.Phone, "+91 98000 00001")]
    public void Every_form_of_one_number_normalises_to_the_same_phone_address(AddressKind kind, string raw)
    {
        Assert.Equal(new ChannelAddress(AddressKind.Phone, "+919800000001"), AddressNormalizer.Normalize(kind, raw, "IN"));
    }

    [Fact]
    public void A_foreign_whatsapp_id_is_not_mangled_by_the_default_region()
    {
        Assert.Equal("+16505551234", AddressNormalizer.Normalize(AddressKind.WhatsApp, "16505551234", "IN").Value);
    }

    [Theory]
    [InlineData(AddressKind.WhatsApp, "+919800000001")]
    [InlineData(AddressKind.WhatsApp, "12")]
    [InlineData(AddressKind.Phone, "not a number")]
    [InlineData(AddressKind.Phone, "+999123")]
    [InlineData(AddressKind.Phone, "")]
    [InlineData(AddressKind.WebVisitor, "short")]
    [InlineData(AddressKind.WebVisitor, "visitor id with spaces")]
    [InlineData(AddressKind.CrmId, "crm<script>")]
    public void Malformed_addresses_are_rejected_with_a_reason(AddressKind kind, string raw)
    {
        var e = Assert.Throws<InvalidAddressException>(() => AddressNormalizer.Normalize(kind, raw, "IN"));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void An_overlong_address_is_rejected_before_parsing()
    {
        Assert.Throws<InvalidAddressException>(() => AddressNormalizer.Normalize(AddressKind.SipCallId, new string('a', 10_000), "IN"));
    }
}
