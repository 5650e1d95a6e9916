using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Security;

/// <summary>Every endpoint the real engine maps, and a request to each: for the tests that try them all (protection, scopes, listeners).</summary>
public static partial class MappedEndpoints
{
    public static IReadOnlyList<RouteEndpoint> Of(SiloApp app) =>
        app.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    /// <summary>The methods an endpoint answers; GET for one mapped for any method.</summary>
    public static IEnumerable<string> Methods(Endpoint e) => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } m ? m : ["GET"];

    /// <summary>A concrete path for a route pattern: every parameter (<c>{id}</c>, <c>{**path}</c>, <c>{x:int}</c>) becomes <c>1</c>.</summary>
    public static string Concrete(RouteEndpoint e) => "/" + Parameter().Replace(e.RoutePattern.RawText!, "1").TrimStart('/');

    /// <summary>Sends <paramref name="method"/> to <paramref name="path"/> with an empty JSON body where one belongs; headers only, since some dashboard endpoints stream for as long as the client listens.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
