using System;
using System.Collections.Generic;
using System.Management.Automation;
using ExoKit.Native;

namespace ExoKit;

/// <summary>
/// New-ExchangeApp: an app registration, its service principal and a client secret (returned
/// once, as a SecureString), waiting for replication only as long as it takes; with -Role, the
/// Exchange role assignments too. Rerunning with the same name finds the app (unless -Force).
/// </summary>
[Cmdlet(VerbsCommon.New, "ExchangeApp", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = NoRoleSet)]
[OutputType(typeof(ExchangeApp))]
public sealed class NewExchangeApp : ScopedCmdlet
{
    private const string NoRoleSet = "NoRole";

    [Parameter(Mandatory = true, Position = 0)]
    public string DisplayName { get; set; } = "";

    /// <summary>Roles to assign on the scope: "Application Calendars.Read", "Calendars.Read" or ids.</summary>
    [Parameter(Mandatory = true, ParameterSetName = TenantSet)]
    [Parameter(Mandatory = true, ParameterSetName = UserSet)]
    [Parameter(Mandatory = true, ParameterSetName = GroupSet)]
    [Parameter(Mandatory = true, ParameterSetName = UnitSet)]
    [ArgumentCompleter(typeof(RoleCompleter))]
    public string[] Role { get; set; } = Array.Empty<string>();

    /// <summary>A certificate to register instead of a client secret (only its public part is sent).</summary>
    [Parameter]
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; set; }

    /// <summary>How long the client secret is valid (default 180 days; one hour to two years).</summary>
    [Parameter]
    public TimeSpan SecretLifetime { get; set; } = TimeSpan.FromDays(180);

    /// <summary>How long to wait for Entra ID replication before giving up (default 2 minutes).</summary>
    [Parameter]
    public TimeSpan ReplicationTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Create a new app even when one has this display name.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        string roles = Role.Length == 0 ? "" : $" with {string.Join(", ", Role)} on {ScopeDescription()}";
        if (!ShouldProcess(DisplayName, $"Create app registration, service principal and {(Certificate is null ? "client secret" : "certificate credential")}{roles}"))
        {
            return;
        }
        var request = new AppRequest
        {
            display_name = DisplayName,
            roles = new List<string>(Role),
            tenant = Tenant.IsPresent,
            user = User,
            group_name = Group,
            administrative_unit = AdministrativeUnit,
            secret_lifetime_seconds = (ulong)Math.Max(0, SecretLifetime.TotalSeconds),
            certificate = Certificate is null ? null : Convert.ToBase64String(Certificate.RawData),
            force = Force.IsPresent,
            replication_timeout_seconds = (ulong)Math.Max(0, ReplicationTimeout.TotalSeconds),
        };
        Run(() => Operation.NewApp(ConnectionId, request.Wire()));
    }
}
