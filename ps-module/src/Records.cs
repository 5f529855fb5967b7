using System;
using System.Management.Automation;
using ExoKit.Native;

namespace ExoKit;

/// <summary>
/// Turns what crosses the boundary into what PowerShell writes. The record classes themselves
/// are generated from Rust; this only unwraps them and names their PSTypeName.
/// </summary>
internal static class Records
{
    /// <summary>The object to write, carrying the type name the format file keys on.</summary>
    internal static PSObject ToOutput(Record record)
    {
        object value = record.IsContext ? record.AsContext()
            : record.IsRoleDefinition ? record.AsRoleDefinition()
            : record.IsMirrorSummary ? record.AsMirrorSummary()
            : record.IsMirrorAction ? record.AsMirrorAction()
            : record.IsRoleAssignment ? record.AsRoleAssignment()
            : record.IsApp ? record.AsApp()
            : record.IsAccess ? record.AsAccess()
            : record.IsAccessPolicy ? record.AsAccessPolicy()
            : record.IsAccessPolicyTest ? record.AsAccessPolicyTest()
            : record.IsScopeGroup ? record.AsScopeGroup()
            : record.IsCalendarPublishing ? record.AsCalendarPublishing()
            : record.IsExternalBooking ? record.AsExternalBooking()
            : record.IsAccessReport ? record.AsAccessReport()
            : record.IsMigrationStep ? record.AsMigrationStep()
            : record.IsMirrorState ? record.AsMirrorState()
            : throw new InvalidOperationException($"ExoKit: unknown record {record}");
        PSObject output = PSObject.AsPSObject(value);
        output.TypeNames.Insert(0, "ExoKit." + value.GetType().Name);
        AsDates(output, value);
        return output;
    }

    /// <summary>The fields that cross as RFC 3339 text, by record: PowerShell sees them as dates.</summary>
    private static readonly System.Collections.Generic.Dictionary<Type, string[]> DateFields = new()
    {
        [typeof(ExoKitContext)] = new[] { "ConnectedAt", "TokenExpiresOn" },
        [typeof(ExchangeApp)] = new[] { "SecretExpiresOn" },
        [typeof(MirrorState)] = new[] { "LastSynced", "LastRunStarted", "LastRunFinished" },
    };

    /// <summary>
    /// Shadows each date field with a DateTime (UTC) of the same name, so Sort-Object and
    /// Where-Object compare dates, not strings; an empty or unreadable one stays as it is.
    /// </summary>
    private static void AsDates(PSObject output, object value)
    {
        if (!DateFields.TryGetValue(value.GetType(), out string[]? fields))
        {
            return;
        }
        foreach (string field in fields)
        {
            object? text = value.GetType().GetField(field)?.GetValue(value);
            if (text is string s && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
            {
                output.Properties.Add(new PSNoteProperty(field, at.UtcDateTime));
            }
        }
    }

    internal static ProgressRecord ToProgress(ProgressInfo info)
    {
        return new ProgressRecord(1, info.Activity, string.IsNullOrEmpty(info.Status) ? "Working" : info.Status)
        {
            PercentComplete = info.PercentComplete,
        };
    }

    internal static ErrorRecord ToErrorRecord(ErrorInfo info)
    {
        ErrorCategory category = Enum.TryParse(info.Category, ignoreCase: true, out ErrorCategory parsed)
            ? parsed
            : ErrorCategory.NotSpecified;
        return new ErrorRecord(new ExoKitException(info.Message, info.ErrorId), info.ErrorId, category, info.Target);
    }
}

/// <summary>An ExoKit failure; <see cref="ErrorId"/> is stable and also the FullyQualifiedErrorId.</summary>
public sealed class ExoKitException : Exception
{
    public ExoKitException(string message, string errorId) : base(message)
    {
        ErrorId = errorId;
    }

    public string ErrorId { get; }
}
