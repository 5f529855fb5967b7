using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.Json;

namespace ExoKit;

/// <summary>
/// Where the contact mirror's state file is: the library decides from -StatePath and these
/// variables. .NET keeps its own copy of the environment on Unix (<c>$env:X = …</c> never reaches
/// native code), so the values are passed.
/// </summary>
internal static class StateLocation
{
    private static readonly string[] Names = { "AUTOMATION_SYNCCONTACTS_STATE_PATH", "XDG_STATE_HOME", "LOCALAPPDATA", "HOME" };

    internal static bool IsLocationVariable(string name) => Array.Exists(Names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The location variables that are set, as a JSON object.</summary>
    internal static byte[] Variables()
    {
        var selected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            string name = (string)entry.Key;
            if (IsLocationVariable(name))
            {
                selected[name.ToUpperInvariant()] = entry.Value as string ?? "";
            }
        }
        return JsonSerializer.SerializeToUtf8Bytes(selected);
    }

    /// <summary>-StatePath as a file system path (relative to the current location, ~ expanded).</summary>
    internal static string? Resolve(PSCmdlet cmdlet, string? statePath) =>
        statePath is null ? null : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(statePath);
}
