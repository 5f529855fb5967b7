using System;
using System.Management.Automation;
using System.Security;
using ExoKit.Native;

namespace ExoKit;

/// <summary>Connect-ExoKit: signs in as an app and keeps the connection for the other cmdlets.</summary>
[Cmdlet(VerbsCommunications.Connect, "ExoKit", DefaultParameterSetName = SecretSet)]
[OutputType(typeof(ExoKitContext))]
public sealed class ConnectExoKit : OperationCmdlet
{
    private const string SecretSet = "ClientSecret";
    private const string CredentialSet = "ClientSecretCredential";

    [Parameter(Mandatory = true, Position = 0)]
    [Alias("Tenant", "Organization")]
    public string TenantId { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = SecretSet)]
    [Alias("AppId", "ApplicationId")]
    public string ClientId { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
    public SecureString ClientSecret { get; set; } = new();

    /// <summary>As Connect-MgGraph takes it: user name = client id, password = secret.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Credential]
    public PSCredential ClientSecretCredential { get; set; } = PSCredential.Empty;

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
            ca_file = CertificateAuthorityFile is null ? null : GetUnresolvedProviderPathFromPSPath(CertificateAuthorityFile),
            network_variables = NetworkVariables.Snapshot(),
        };
        using var secret = new SecretBytes(fromCredential ? ClientSecretCredential.Password : ClientSecret);
        using var proxyPassword = ProxyCredential is null ? new SecretBytes(Array.Empty<byte>()) : new SecretBytes(ProxyCredential.Password);
        Run(() => Operation.Connect(request.Wire(), secret.Slice, proxyPassword.Slice));
    }
}

/// <summary>Get-ExoKitContext: the current connection (never a token or secret).</summary>
[Cmdlet(VerbsCommon.Get, "ExoKitContext")]
[OutputType(typeof(ExoKitContext))]
public sealed class GetExoKitContext : OperationCmdlet
{
    protected override void ProcessRecord() => Run(Operation.GetContext);
}

/// <summary>Disconnect-ExoKit: forgets the connection and its tokens.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "ExoKit")]
public sealed class DisconnectExoKit : OperationCmdlet
{
    protected override void ProcessRecord() => Run(Operation.Disconnect);
}
