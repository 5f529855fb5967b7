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
public sealed class NewExchangeAppRoleAssignment : OperationCmdlet
{
    private const string TenantSet = "Tenant";
    private const string UserSet = "User";
    private const string GroupSet = "Group";
    private const string UnitSet = "AdministrativeUnit";

    /// <summary>The app: display name, appId or service principal object id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("AppId")]
    public string App { get; set; } = "";

    /// <summary>The role: "Application Mail.Read", "Mail.Read" or its id.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string Role { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = TenantSet)]
    public SwitchParameter Tenant { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = UserSet)]
    public string? User { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = GroupSet)]
    public string? Group { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = UnitSet)]
    public string? AdministrativeUnit { get; set; }

    protected override void ProcessRecord()
    {
        string scope = ParameterSetName switch
        {
            UserSet => $"user {User}",
            GroupSet => $"group {Group}",
            UnitSet => $"administrative unit {AdministrativeUnit}",
            _ => "the whole tenant",
        };
        if (!ShouldProcess($"app {App}", $"Assign Exchange role '{Role}' on {scope}"))
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
        Run(() => Operation.NewRoleAssignment(request.Wire()));
    }
}
