using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Http;
using System.Text;
using System.Text.Json;

namespace ExoKit.Tests;

/// <summary>
/// The sandbox tenant as a child process (the binary the demo and benchmarks use), with its
/// control routes: latency, the request log.
/// </summary>
public sealed class SandboxProcess : IDisposable
{
    private readonly Process _process;
    private readonly HttpClient _control = new();

    public SandboxProcess() : this(null)
    {
    }

    /// <summary>A sandbox serving <paramref name="seedFile"/> (default: the demo seed).</summary>
    internal SandboxProcess(string? seedFile)
    {
        string arguments = seedFile is null ? "--stop-on-stdin-eof" : $"--stop-on-stdin-eof --seed \"{seedFile}\"";
        var start = new ProcessStartInfo(Repo.SandboxExe, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + Repo.SandboxExe);
        string banner = _process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException("the sandbox exited before printing its address");
        using JsonDocument parsed = JsonDocument.Parse(banner);
        BaseUrl = parsed.RootElement.GetProperty("baseUrl").GetString()!;
        HttpsUrl = parsed.RootElement.GetProperty("httpsUrl").GetString()!;
        CaFile = parsed.RootElement.GetProperty("caFile").GetString()!;
        _control.BaseAddress = new Uri(BaseUrl);
    }

    public string BaseUrl { get; }

    /// <summary>The same tenant over HTTPS, with a certificate from <see cref="CaFile"/>'s CA.</summary>
    public string HttpsUrl { get; }

    /// <summary>The PEM file of the CA a client must be told to trust for <see cref="HttpsUrl"/>.</summary>
    public string CaFile { get; }

    public void SetLatency(TimeSpan latency) => Put("/_sandbox/latency", $"{{\"ms\":{(long)latency.TotalMilliseconds}}}");

    /// <summary>How long new applications and service principals stay invisible (Entra ID replication).</summary>
    public void SetReplicationLag(TimeSpan lag) => Put("/_sandbox/directory/replication-lag", $"{{\"ms\":{(long)lag.TotalMilliseconds}}}");

    /// <summary>The request log: "METHOD path?query status" per request.</summary>
    public List<string> Requests()
    {
        string json = _control.GetStringAsync("/_sandbox/requests").GetAwaiter().GetResult();
        var lines = new List<string>();
        using JsonDocument log = JsonDocument.Parse(json);
        foreach (JsonElement entry in log.RootElement.EnumerateArray())
        {
            string query = entry.GetProperty("query").GetString() is { } q ? "?" + q : "";
            lines.Add($"{entry.GetProperty("method").GetString()} {entry.GetProperty("path").GetString()}{query} {entry.GetProperty("status").GetInt32()}");
        }
        return lines;
    }

    public void ClearRequests() => _control.DeleteAsync("/_sandbox/requests").GetAwaiter().GetResult().EnsureSuccessStatusCode();

    private void Put(string path, string json)
    {
        using var body = new StringContent(json, Encoding.UTF8, "application/json");
        _control.PutAsync(path, body).GetAwaiter().GetResult().EnsureSuccessStatusCode();
    }

    public void Dispose()
    {
        _control.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
