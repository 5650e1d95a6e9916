using Microsoft.AspNetCore.Http;

namespace Switchboard.Channels.Common;

/// <summary>Errors as problem+json, each kind with a stable <c>type</c> a client can switch on.</summary>
public static class Problems
{
    public const string TypeBase = "https://switchboard.dev/problems/";

    public static IResult BadRequest(string kind, string detail) => Make(400, kind, "The request is not valid.", detail);

    public static IResult Unauthorized(string detail) => Make(401, "unauthorized", "Authentication failed.", detail);

    public static IResult Forbidden(string kind, string detail) => Make(403, kind, "Not allowed.", detail);

    public static IResult NotFound(string kind, string detail) => Make(404, kind, "Not found.", detail);

    public static IResult Conflict(string kind, string detail) => Make(409, kind, "Conflict.", detail);

    public static IResult TooLarge(long limit) => Make(413, "body-too-large", "The request body is too large.", $"The body is limited to {limit} bytes.");

    public static IResult UnsupportedMediaType(string detail) => Make(415, "unsupported-media-type", "Unsupported media type.", detail);

    public static IResult Unavailable(string kind, string detail) => Make(503, kind, "Temporarily unavailable.", detail);

    public static IResult Make(int status, string kind, string title, string detail) =>
        Results.Problem(type: TypeBase + kind, title: title, statusCode: status, detail: detail);
}
