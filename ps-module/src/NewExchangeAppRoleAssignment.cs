using System.Management.Automation;
using ExoKit.Native;

namespace ExoKit;

/// <summary>
/// New-ExchangeAppRoleAssignment: gives an app an Exchange application role (RBAC for
/// Applications) on the whole tenant, one user, a group's direct members or an administrative
/// unit. Everything is named as the admin knows it; the ids are looked up.
/// </summary>
[Cmdlet(VerbsCommon.New, "ExchangeAppRoleAssignment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = TenantSet)]
[OutputType(typeof(ExchangeAppRoleAssignment))]
public sealed class NewExchangeAppRoleAssignment : ScopedCmdlet
{
    /// <summary>The app: display name, appId or service principal object id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("AppId")]
    public string App { get; set; } = "";

    /// <summary>The role: "Application Mail.Read", "Mail.Read" or its id.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(RoleCompleter))]
    public string Role { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"app {App}", $"Assign Exchange role '{Role}' on {ScopeDescription()}"))
        {
            return;
        }
        var request = new AssignmentRequest
        {
            app = App,
            role = Role,
            tenant = Tenant.IsPresent,
            user = User,
            group_name = Group,
            administrative_unit = AdministrativeUnit,
        };
        Run(() => Operation.NewRoleAssignment(ConnectionId, request.Wire()));
    }
}
