using System;
using System.IO;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ExoKit.Tests;

/// <summary>
/// The demo tenant with every credential kind set up on its automation app: a certificate (as a
/// PFX with a password and as PEM files), a federated credential for a GitLab-like issuer, and a
/// system- and a user-assigned managed identity with the same roles. Its own sandbox process.
/// The certificates are made here with .NET's own crypto; nothing is committed.
/// </summary>
public sealed class AuthTenant : IDisposable
{
    internal const string Issuer = "https://gitlab.example.com";
    internal const string Subject = "project_path:infra/contacts:ref_type:branch:ref:main";
    internal const string SystemIdentity = "5e5e5e5e-0000-4000-8000-00000000005e";
    internal const string UserIdentity = "7a7a7a7a-0000-4000-8000-00000000007a";
    internal const string PfxPassword = "Pfx-Pa55word-only-in-tests-8Hq";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"exokit-auth-{Guid.NewGuid():N}");
    private readonly HttpClient _control = new();

    public AuthTenant()
    {
        Directory.CreateDirectory(_dir);
        using RSA key = RSA.Create(2048);
        using X509Certificate2 cert = SelfSigned(key, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        PfxPath = Write("app.pfx", cert.Export(X509ContentType.Pkcs12, PfxPassword));
        CertPemPath = Write("app.crt.pem", Encoding.ASCII.GetBytes(cert.ExportCertificatePem()));
        KeyPem = key.ExportPkcs8PrivateKeyPem();
        KeyPemPath = Write("app.key.pem", Encoding.ASCII.GetBytes(KeyPem));
        using RSA oldKey = RSA.Create(2048);
        using X509Certificate2 expired = SelfSigned(oldKey, DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddDays(-30));
        ExpiredPfxPath = Write("expired.pfx", expired.Export(X509ContentType.Pkcs12, PfxPassword));

        string seedFile = Path.Combine(_dir, "seed.json");
        File.WriteAllText(seedFile, Seed(Convert.ToBase64String(cert.RawData), Convert.ToBase64String(expired.RawData)).ToJsonString());
        Sandbox = new SandboxProcess(seedFile);
        _control.BaseAddress = new Uri(Sandbox.BaseUrl);
    }

    internal SandboxProcess Sandbox { get; }
    internal string PfxPath { get; }
    internal string ExpiredPfxPath { get; }
    internal string CertPemPath { get; }
    internal string KeyPemPath { get; }
    internal string KeyPem { get; }

    /// <summary>A token from the sandbox's external issuer, as a GitLab job's id_tokens entry.</summary>
    internal string FederatedToken(string subject = Subject)
    {
        string body = new JsonObject { ["issuer"] = Issuer, ["subject"] = subject }.ToJsonString();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        string answer = _control.PostAsync("/_sandbox/federated-token", content).GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult();
        return JsonNode.Parse(answer)!["token"]!.GetValue<string>();
    }

    /// <summary>What an App Service host puts in IDENTITY_HEADER.</summary>
    internal string IdentityHeader()
    {
        string answer = _control.GetStringAsync("/_sandbox/managed-identity").GetAwaiter().GetResult();
        return JsonNode.Parse(answer)!["identityHeader"]!.GetValue<string>();
    }

    internal string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static X509Certificate2 SelfSigned(RSA key, DateTimeOffset from, DateTimeOffset until)
    {
        var request = new CertificateRequest("CN=ExoKit PowerShell test (sandbox only)", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(from, until);
    }

    private static JsonNode Seed(string certificate, string expiredCertificate)
    {
        JsonNode seed = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "tests", "sandbox", "seeds", "demo.json")))!;
        JsonArray apps = seed["tenants"]![0]!["apps"]!.AsArray();
        JsonNode app = apps[0]!;
        app["certificates"] = new JsonArray(certificate, expiredCertificate);
        app["federatedCredentials"] = new JsonArray(new JsonObject { ["issuer"] = Issuer, ["subject"] = Subject });
        foreach ((string id, string kind) in new[] { (SystemIdentity, "system"), (UserIdentity, "user") })
        {
            apps.Add(new JsonObject
            {
                ["appId"] = id,
                ["displayName"] = "identity " + kind,
                ["roles"] = app["roles"]!.DeepClone(),
                ["managedIdentity"] = kind,
            });
        }
        return seed;
    }

    public void Dispose()
    {
        _control.Dispose();
        Sandbox.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
