using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using ExoKit.Native;

namespace ExoKit;

/// <summary>
/// Connect-ExoKit: signs in as an app (or a managed identity) and keeps the connection for the
/// other cmdlets. One parameter set per credential kind; the set's name tells Rust which kind,
/// and the kind's one secret value (secret, PFX password, federated token, access token,
/// IDENTITY_HEADER) crosses as bytes.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "ExoKit", DefaultParameterSetName = SecretSet)]
[OutputType(typeof(ExoKitContext))]
public sealed class ConnectExoKit : OperationCmdlet
{
    private const string SecretSet = "ClientSecret";
    private const string CredentialSet = "ClientSecretCredential";
    private const string CertificateSet = "CertificatePath";
    private const string ThumbprintSet = "CertificateThumbprint";
    private const string ManagedIdentitySet = "ManagedIdentity";
    private const string FederatedFileSet = "FederatedTokenFile";
    private const string FederatedSet = "FederatedToken";
    private const string AccessTokenSet = "AccessToken";

    /// <summary>What a managed identity reads from the host (IDENTITY_HEADER crosses as a secret).</summary>
    private static readonly string[] IdentityVariables = { "IDENTITY_ENDPOINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST" };

    [Parameter(Mandatory = true, Position = 0)]
    [Alias("Tenant", "Organization")]
    public string TenantId { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = SecretSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = CertificateSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ThumbprintSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = FederatedFileSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = FederatedSet)]
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Alias("AppId", "ApplicationId")]
    public string ClientId { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
    public SecureString ClientSecret { get; set; } = new();

    /// <summary>As Connect-MgGraph takes it: user name = client id, password = secret.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Credential]
    public PSCredential ClientSecretCredential { get; set; } = PSCredential.Empty;

    /// <summary>A PFX file, or a PEM file with the certificate (and its key unless -CertificateKeyPath).</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    public string CertificatePath { get; set; } = "";

    [Parameter(ParameterSetName = CertificateSet)]
    public SecureString? CertificatePassword { get; set; }

    [Parameter(ParameterSetName = CertificateSet)]
    public string? CertificateKeyPath { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
    public string CertificateThumbprint { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = ManagedIdentitySet)]
    public SwitchParameter ManagedIdentity { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = FederatedFileSet)]
    public string FederatedTokenFile { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = FederatedSet)]
    public SecureString FederatedToken { get; set; } = new();

    [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
    public SecureString AccessToken { get; set; } = new();

    [Parameter]
    [ArgumentCompletions("Global", "USGov", "USGovDoD", "China")]
    [Alias("NationalCloud")]
    public string? Environment { get; set; }

    [Parameter]
    public string? GraphEndpoint { get; set; }

    [Parameter]
    public string? AuthorityHost { get; set; }

    /// <summary>The Exchange admin API's root for a custom cloud (a proxy, the sandbox).</summary>
    [Parameter]
    public string? ExchangeEndpoint { get; set; }

    /// <summary>A proxy URL for every request; overrides HTTPS_PROXY/HTTP_PROXY (NO_PROXY still applies).</summary>
    [Parameter]
    public Uri? Proxy { get; set; }

    /// <summary>User name and password for the proxy (Basic authentication).</summary>
    [Parameter]
    [Credential]
    public PSCredential? ProxyCredential { get; set; }

    /// <summary>A PEM file of CAs to trust besides the platform's (a TLS-inspecting proxy's).</summary>
    [Parameter]
    public string? CertificateAuthorityFile { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        bool fromCredential = ParameterSetName == CredentialSet;
        var request = new ConnectRequest
        {
            tenant_id = TenantId,
            client_id = fromCredential ? ClientSecretCredential.UserName : ClientId,
            environment = Environment,
            graph_endpoint = GraphEndpoint,
            authority_host = AuthorityHost,
            exchange_endpoint = ExchangeEndpoint,
            pass_thru = PassThru.IsPresent,
            proxy = Proxy?.OriginalString,
            proxy_user = ProxyCredential?.UserName,
            ca_file = PathOf(CertificateAuthorityFile),
            network_variables = NetworkVariables.Snapshot(),
            auth = fromCredential ? SecretSet : ParameterSetName,
            certificate_path = PathOf(ParameterSetName == CertificateSet ? CertificatePath : null),
            certificate_key_path = PathOf(CertificateKeyPath),
            certificate_thumbprint = ParameterSetName == ThumbprintSet ? CertificateThumbprint : null,
            federated_token_file = PathOf(ParameterSetName == FederatedFileSet ? FederatedTokenFile : null),
            identity_variables = ParameterSetName == ManagedIdentitySet ? Variables(IdentityVariables) : new List<string>(),
        };
        using var secret = SecretOfSet();
        using var proxyPassword = ProxyCredential is null ? new SecretBytes(Array.Empty<byte>()) : new SecretBytes(ProxyCredential.Password);
        Run(() => Operation.Connect(request.Wire(), secret.Slice, proxyPassword.Slice));
    }

    /// <summary>The new connection becomes this runspace's (only); its context is written with -PassThru.</summary>
    protected override PSObject? OnRecord(PSObject output)
    {
        if (output.BaseObject is ExoKitContext context)
        {
            Connections.Connected(context.ConnectionId, context);
        }
        return PassThru.IsPresent ? output : null;
    }

    /// <summary>The one secret value of this parameter set, or none.</summary>
    private SecretBytes SecretOfSet() => ParameterSetName switch
    {
        SecretSet => new SecretBytes(ClientSecret),
        CredentialSet => new SecretBytes(ClientSecretCredential.Password),
        CertificateSet when CertificatePassword is not null => new SecretBytes(CertificatePassword),
        FederatedSet => new SecretBytes(FederatedToken),
        AccessTokenSet => new SecretBytes(AccessToken),
        ManagedIdentitySet => new SecretBytes(System.Text.Encoding.UTF8.GetBytes(System.Environment.GetEnvironmentVariable("IDENTITY_HEADER") ?? "")),
        _ => new SecretBytes(Array.Empty<byte>()),
    };

    private string? PathOf(string? path) => string.IsNullOrEmpty(path) ? null : GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>"NAME=value" for each variable set, as PowerShell sees it (.NET's copy, not the OS's).</summary>
    private static List<string> Variables(string[] names)
    {
        var found = new List<string>();
        foreach (string name in names)
        {
            string? value = System.Environment.GetEnvironmentVariable(name);
            if (!string.IsNullOrEmpty(value))
            {
                found.Add(name + "=" + value);
            }
        }
        return found;
    }
}

/// <summary>Get-ExoKitContext: this runspace's connection, or -Connection's (never a token or secret); nothing when not connected.</summary>
[Cmdlet(VerbsCommon.Get, "ExoKitContext")]
[OutputType(typeof(ExoKitContext))]
public sealed class GetExoKitContext : ConnectedCmdlet
{
    protected override void ProcessRecord() => Run(() => Operation.GetContext(ConnectionId));

    /// <summary>The object written names its connection, so it can be passed to -Connection.</summary>
    protected override PSObject? OnRecord(PSObject output)
    {
        if (output.BaseObject is ExoKitContext context)
        {
            Connections.Describe(context.ConnectionId, context);
        }
        return output;
    }
}

/// <summary>
/// Disconnect-ExoKit: forgets this runspace's connection (or -Connection's) and its tokens.
/// Other runspaces' connections are not touched.
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "ExoKit")]
public sealed class DisconnectExoKit : PSCmdlet
{
    /// <summary>The connection to forget instead of this runspace's.</summary>
    [Parameter(ValueFromPipeline = true)]
    public ExoKitContext? Connection { get; set; }

    protected override void ProcessRecord()
    {
        if (!Connections.Disconnect(Connection))
        {
            WriteWarning("ExoKit was not connected.");
        }
    }
}
