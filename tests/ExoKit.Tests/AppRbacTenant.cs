using System;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ExoKit.Tests;

/// <summary>
/// Seed 003's tenant: Nestor in the Developers administrative unit, Adele outside it; Lee in the
/// Sales group, Megan outside it; Alex, the missing employee. The admin app holds the Graph and
/// Exchange permissions ExoKit needs. Its own sandbox process, so tests do not see each other's apps.
/// </summary>
internal sealed class AppRbacTenant : IDisposable
{
    internal const string TenantId = "6f1b3c2e-52a4-4d8e-9b1a-0c7e5f2d4a91";
    internal const string Nestor = "nestorw@contoso.onmicrosoft.com";
    internal const string Adele = "adelev@contoso.onmicrosoft.com";
    internal const string Lee = "leeg@contoso.onmicrosoft.com";
    internal const string Megan = "meganb@contoso.onmicrosoft.com";
    internal const string Alex = "alexw@contoso.onmicrosoft.com";
    internal const string DevelopersId = "ad000000-0000-4000-8000-0000000000de";
    internal const string SalesId = "5a000000-0000-4000-8000-00000000005a";

    private readonly string _seedFile;

    internal AppRbacTenant()
    {
        _seedFile = Path.Combine(Path.GetTempPath(), $"exokit-rbac-{Guid.NewGuid():N}.json");
        File.WriteAllText(_seedFile, Seed().ToJsonString());
        Sandbox = new SandboxProcess(_seedFile);
    }

    internal SandboxProcess Sandbox { get; }

    internal static string UserId(string upn) => upn switch
    {
        Nestor => "74db2ae6-6aa4-4160-8c2a-c93d4f1cfafa",
        Adele => "61b0c52f-a902-4769-9a09-c6628335b00a",
        Lee => "1ee00000-0000-4000-8000-000000000001",
        Megan => "4e600000-0000-4000-8000-000000000002",
        _ => "a1e00000-0000-4000-8000-000000000003",
    };

    private static JsonObject User(string upn, string name) => new()
    {
        ["id"] = UserId(upn), ["userPrincipalName"] = upn, ["displayName"] = name, ["licenses"] = new JsonArray("sku-e3"),
    };

    private static JsonObject Seed()
    {
        var tenant = new JsonObject
        {
            ["id"] = TenantId,
            ["domain"] = Repo.Tenant,
            ["apps"] = new JsonArray(
                new JsonObject
                {
                    ["appId"] = Repo.AppId, ["displayName"] = "ExoKit Automation", ["secrets"] = new JsonArray(Repo.Secret),
                    ["roles"] = new JsonArray("RoleManagement.ReadWrite.Exchange", "Application.ReadWrite.All", "Directory.Read.All", "User.Read.All", "Exchange.ManageAsApp"),
                },
                new JsonObject
                {
                    ["appId"] = Repo.NoRolesAppId, ["displayName"] = "Reader Without Roles", ["secrets"] = new JsonArray(Repo.NoRolesSecret),
                    ["roles"] = new JsonArray("User.Read.All"),
                }),
            ["users"] = new JsonArray(User(Nestor, "Nestor Wilke"), User(Adele, "Adele Vance"), User(Lee, "Lee Gu"), User(Megan, "Megan Bowen"), User(Alex, "Alex Wilber")),
            ["groups"] = new JsonArray(new JsonObject
            {
                ["id"] = SalesId, ["displayName"] = "Sales", ["mail"] = "sales@contoso.onmicrosoft.com",
                ["mailEnabled"] = true, ["securityEnabled"] = true, ["members"] = new JsonArray(Lee),
            }),
            ["administrativeUnits"] = new JsonArray(new JsonObject
            {
                ["id"] = DevelopersId, ["displayName"] = "Developers", ["members"] = new JsonArray(UserId(Nestor)),
            }),
            ["exchange"] = new JsonObject
            {
                ["servicePrincipals"] = new JsonArray(new JsonObject { ["AppId"] = Repo.AppId, ["DisplayName"] = "ExoKit Automation" }),
            },
        };
        return new JsonObject { ["tenants"] = new JsonArray(tenant) };
    }

    /// <summary>
    /// A real Graph call as the app (its own token from the sandbox's token endpoint), outside
    /// ExoKit: the HTTP status the sandbox's access rules give.
    /// </summary>
    internal int CallAs(string appId, string secret, string path) =>
        Call(appId, new Dictionary<string, string> { ["client_secret"] = secret }, path);

    /// <summary>The same with a client assertion signed by the certificate's private key (RS256, x5t).</summary>
    internal int CallAsWithCertificate(string appId, X509Certificate2 certificate, string path)
    {
        string tokenUrl = $"{Sandbox.BaseUrl}/{TenantId}/oauth2/v2.0/token";
        static string Url64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        string header = Url64(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT", x5t = Url64(SHA1.HashData(certificate.RawData)) }));
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string claims = Url64(JsonSerializer.SerializeToUtf8Bytes(new { aud = tokenUrl, iss = appId, sub = appId, jti = Guid.NewGuid().ToString(), nbf = now, exp = now + 600 }));
        byte[] signature = certificate.GetRSAPrivateKey()!.SignData(Encoding.ASCII.GetBytes($"{header}.{claims}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return Call(appId, new Dictionary<string, string>
        {
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = $"{header}.{claims}.{Url64(signature)}",
        }, path);
    }

    private int Call(string appId, Dictionary<string, string> credential, string path)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Sandbox.BaseUrl) };
        var fields = new Dictionary<string, string>(credential)
        {
            ["grant_type"] = "client_credentials", ["client_id"] = appId, ["scope"] = "https://graph.microsoft.com/.default",
        };
        var form = new FormUrlEncodedContent(fields);
        using HttpResponseMessage login = http.PostAsync($"/{TenantId}/oauth2/v2.0/token", form).GetAwaiter().GetResult();
        string body = login.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (!login.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the app could not sign in: {(int)login.StatusCode}");
        }
        string token = JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using HttpResponseMessage answer = http.SendAsync(request).GetAwaiter().GetResult();
        return (int)answer.StatusCode;
    }

    public void Dispose()
    {
        Sandbox.Dispose();
        File.Delete(_seedFile);
    }
}
