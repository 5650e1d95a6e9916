using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Serialization.TypeSystem;

namespace Switchboard.Grains.Interfaces;

/// <summary>
/// Remembers each grain interface's <see cref="GrainInterfaceType"/>. Orleans 10.4 works it out again on every
/// <c>GetGrain</c> (the interface's attributes read by reflection, then its alias formatted by the type converter):
/// 4–11 µs and about 1.4 KB per call, three calls per webhook. The value is computed once per interface by Orleans's
/// own resolver (<see cref="GrainInterfaceTypeResolver"/>, attributes first, then the convention), so what goes on the
/// wire is exactly what it was; generic interfaces are left to Orleans.
/// </summary>
public sealed class CachedGrainInterfaceTypes(IServiceProvider services, TypeConverter typeConverter) : IGrainInterfaceTypeProvider
{
    private readonly ConcurrentDictionary<Type, GrainInterfaceType> _known = new();
    private GrainInterfaceTypeResolver? _orleans;

    public bool TryGetGrainInterfaceType(Type type, out GrainInterfaceType grainInterfaceType)
    {
        if (_known.TryGetValue(type, out grainInterfaceType)) return true;
        if (!type.IsInterface || type.IsGenericType) return false;
        // Orleans's resolver without this provider (it would ask itself): the attribute provider, then the convention.
        _orleans ??= new GrainInterfaceTypeResolver([new AttributeGrainInterfaceTypeProvider(services)], typeConverter);
        grainInterfaceType = _known.GetOrAdd(type, _orleans.GetGrainInterfaceType(type));
        return true;
    }
}

public static class CachedGrainInterfaceTypesExtensions
{
    /// <summary>Puts <see cref="CachedGrainInterfaceTypes"/> ahead of Orleans's own providers (they are asked in registration order).</summary>
    public static IServiceCollection AddCachedGrainInterfaceTypes(this IServiceCollection services)
    {
        if (services.Any(d => d.ImplementationType == typeof(CachedGrainInterfaceTypes))) return services;
        services.Insert(0, ServiceDescriptor.Singleton<IGrainInterfaceTypeProvider, CachedGrainInterfaceTypes>());
        return services;
    }
}
