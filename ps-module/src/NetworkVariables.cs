using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace ExoKit;

/// <summary>
/// The proxy and trust variables as PowerShell sees them. .NET keeps its own copy of the
/// environment on Unix, so <c>$env:HTTPS_PROXY = …</c> in a session never reaches native code:
/// the cmdlets pass these values to the library explicitly.
/// </summary>
internal static class NetworkVariables
{
    private static readonly string[] Names = { "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "SSL_CERT_FILE" };

    internal static bool IsNetworkVariable(string name) => Names.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>"NAME=value" for each one that is set.</summary>
    internal static List<string> Snapshot()
    {
        var found = new List<string>();
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            string name = (string)entry.Key;
            if (IsNetworkVariable(name) && entry.Value is string value && value.Length > 0)
            {
                found.Add(name + "=" + value);
            }
        }
        return found;
    }
}
