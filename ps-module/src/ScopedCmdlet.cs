using System.Management.Automation;

namespace ExoKit;

/// <summary>
/// The scope of an Exchange role assignment, as one parameter set each: -Tenant, -User, -Group or
/// -AdministrativeUnit (names or ids; Rust resolves them). Shared by the cmdlets that assign roles.
/// </summary>
public abstract class ScopedCmdlet : ConnectedCmdlet
{
    protected const string TenantSet = "Tenant";
    protected const string UserSet = "User";
    protected const string GroupSet = "Group";
    protected const string UnitSet = "AdministrativeUnit";

    [Parameter(Mandatory = true, ParameterSetName = TenantSet)]
    public SwitchParameter Tenant { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = UserSet)]
    public string? User { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = GroupSet)]
    public string? Group { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = UnitSet)]
    public string? AdministrativeUnit { get; set; }

    /// <summary>The scope in words, for ShouldProcess.</summary>
    protected string ScopeDescription() => ParameterSetName switch
    {
        UserSet => $"user {User}",
        GroupSet => $"group {Group}",
        UnitSet => $"administrative unit {AdministrativeUnit}",
        TenantSet => "the whole tenant",
        _ => "no scope",
    };
}
