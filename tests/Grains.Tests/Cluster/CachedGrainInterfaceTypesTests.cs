using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Serialization;
using Orleans.Serialization.TypeSystem;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Customers;

namespace Switchboard.Grains.Tests.Cluster;

/// <summary>The interface-type cache must name every grain interface exactly as Orleans does: the name goes on the wire.</summary>
public sealed class CachedGrainInterfaceTypesTests
{
    private static readonly IServiceProvider Services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private static readonly TypeConverter Converter = Services.GetRequiredService<TypeConverter>();

    private static IEnumerable<Type> GrainInterfaces() => typeof(ICustomerGrain).Assembly.GetTypes()
        .Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t) && !t.IsGenericTypeDefinition);

    [Fact]
    public void Every_grain_interface_resolves_to_the_same_type_as_without_the_cache()
    {
        var orleans = new GrainInterfaceTypeResolver([new AttributeGrainInterfaceTypeProvider(Services)], Converter);
        var cached = new GrainInterfaceTypeResolver([new CachedGrainInterfaceTypes(Services, Converter), new AttributeGrainInterfaceTypeProvider(Services)], Converter);
        var interfaces = GrainInterfaces().ToList();
        Assert.NotEmpty(interfaces);
        foreach (var type in interfaces)
        {
            var expected = orleans.GetGrainInterfaceType(type);
            Assert.Equal(expected, cached.GetGrainInterfaceType(type)); // computed
            Assert.Equal(expected, cached.GetGrainInterfaceType(type)); // from the cache
        }
        Assert.Equal("customer-grain", cached.GetGrainInterfaceType(typeof(ICustomerGrain)).ToString());
    }

    [Fact]
    public void Generic_and_non_interface_types_are_left_to_orleans()
    {
        var cache = new CachedGrainInterfaceTypes(Services, Converter);
        Assert.False(cache.TryGetGrainInterfaceType(typeof(IEnumerable<int>), out _));
        Assert.False(cache.TryGetGrainInterfaceType(typeof(string), out _));
        Assert.True(cache.TryGetGrainInterfaceType(typeof(ICustomerGrain), out _));
    }

    [Fact]
    public void Registration_puts_the_cache_first_and_only_once()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IGrainInterfaceTypeProvider, AttributeGrainInterfaceTypeProvider>();
        services.AddCachedGrainInterfaceTypes().AddCachedGrainInterfaceTypes();
        var providers = services.Where(d => d.ServiceType == typeof(IGrainInterfaceTypeProvider)).ToList();
        Assert.Equal([typeof(CachedGrainInterfaceTypes), typeof(AttributeGrainInterfaceTypeProvider)], providers.Select(d => d.ImplementationType));
    }
}
