using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Runtime.CompilerServices;
using ExoKit.Native;

namespace ExoKit;

/// <summary>
/// One connection Rust keeps open, owned here: released in Rust when Disconnect-ExoKit says so,
/// or when nothing refers to it any more (no runspace uses it, no context object names it).
/// </summary>
internal sealed class ConnectionHandle
{
    private int _released;

    internal ConnectionHandle(ulong id)
    {
        Id = id;
    }

    internal ulong Id { get; }

    internal bool IsReleased => _released != 0;

    /// <summary>Forgets the connection and its tokens; true when this call did it.</summary>
    internal bool Release()
    {
        if (System.Threading.Interlocked.Exchange(ref _released, 1) != 0)
        {
            return false;
        }
        GC.SuppressFinalize(this);
        return Interop.exokit_release_connection(Id).Is;
    }

    ~ConnectionHandle()
    {
        if (_released == 0)
        {
            Interop.exokit_release_connection(Id);
        }
    }
}

/// <summary>
/// Which connection a cmdlet uses. Each runspace keeps its own (ForEach-Object -Parallel and
/// thread jobs run in runspaces of their own): a Connect-ExoKit or Disconnect-ExoKit in one
/// never changes another's. A runspace that never connected uses the session's default, the
/// primary runspace's connection (the console's, else the first runspace that imported the
/// module), so "connect once, then -Parallel" works; never a sibling's. -Connection overrides.
/// </summary>
internal static class Connections
{
    /// <summary>A runspace's own connection; present once it connected (null after Disconnect).</summary>
    private sealed class Slot
    {
        internal ConnectionHandle? Handle;
    }

    private static readonly ConditionalWeakTable<Runspace, Slot> ByRunspace = new();

    /// <summary>Keeps a handle alive as long as a context object (Connect-ExoKit -PassThru) names it.</summary>
    private static readonly ConditionalWeakTable<object, ConnectionHandle> ByContext = new();

    /// <summary>Live handles by id, for a context object that is a copy of the one written.</summary>
    private static readonly ConcurrentDictionary<ulong, WeakReference<ConnectionHandle>> ById = new();

    private static readonly object Gate = new();
    private static WeakReference<Runspace>? _firstImporter;

    /// <summary>Called on import: the first importing runspace is the primary when the host names none.</summary>
    internal static void Imported()
    {
        lock (Gate)
        {
            if (_firstImporter is null && Runspace.DefaultRunspace is Runspace current)
            {
                _firstImporter = new WeakReference<Runspace>(current);
            }
        }
    }

    /// <summary>The connection id for a cmdlet's operation: 0 when there is none.</summary>
    internal static ulong Resolve(ExoKitContext? given)
    {
        if (given is not null)
        {
            ConnectionHandle? named = Of(given);
            return named is null || named.IsReleased ? 0 : named.Id;
        }
        ConnectionHandle? handle = Current();
        return handle is null || handle.IsReleased ? 0 : handle.Id;
    }

    /// <summary>This runspace's connection, else (never connected here) the session default.</summary>
    internal static ConnectionHandle? Current()
    {
        Runspace? runspace = Runspace.DefaultRunspace;
        if (runspace is not null && ByRunspace.TryGetValue(runspace, out Slot? own))
        {
            return own.Handle;
        }
        Runspace? primary = Primary();
        if (primary is not null && ByRunspace.TryGetValue(primary, out Slot? shared))
        {
            return shared.Handle;
        }
        return null;
    }

    /// <summary>Makes a new connection this runspace's; the one it replaces lives on while a context object names it.</summary>
    internal static ConnectionHandle Connected(ulong id, object context)
    {
        var handle = new ConnectionHandle(id);
        ById[id] = new WeakReference<ConnectionHandle>(handle);
        ByContext.AddOrUpdate(context, handle);
        Runspace? runspace = Runspace.DefaultRunspace;
        if (runspace is not null)
        {
            ByRunspace.GetOrCreateValue(runspace).Handle = handle;
        }
        return handle;
    }

    /// <summary>Ties a context object written by Get-ExoKitContext to its connection, for -Connection.</summary>
    internal static void Describe(ulong id, object context)
    {
        if (ById.TryGetValue(id, out WeakReference<ConnectionHandle>? weak) && weak.TryGetTarget(out ConnectionHandle? handle))
        {
            ByContext.AddOrUpdate(context, handle);
        }
    }

    /// <summary>Disconnects: the given connection, else this runspace's own. False when there was none.</summary>
    internal static bool Disconnect(ExoKitContext? given)
    {
        Runspace? runspace = Runspace.DefaultRunspace;
        Slot? own = null;
        if (runspace is not null)
        {
            ByRunspace.TryGetValue(runspace, out own);
        }
        ConnectionHandle? handle = given is not null ? Of(given) : own?.Handle;
        if (own is not null && (given is null || ReferenceEquals(own.Handle, handle)))
        {
            own.Handle = null;
        }
        if (handle is null)
        {
            return false;
        }
        ById.TryRemove(handle.Id, out _);
        return handle.Release();
    }

    private static ConnectionHandle? Of(ExoKitContext context)
    {
        if (ByContext.TryGetValue(context, out ConnectionHandle? handle))
        {
            return handle;
        }
        return ById.TryGetValue(context.ConnectionId, out WeakReference<ConnectionHandle>? weak) && weak.TryGetTarget(out handle) ? handle : null;
    }

    /// <summary>The host's primary runspace (pwsh's console one), else the first runspace that imported ExoKit.</summary>
    private static Runspace? Primary()
    {
        if (PrimaryRunspaceProperty?.GetValue(null) is Runspace primary)
        {
            return primary;
        }
        lock (Gate)
        {
            return _firstImporter is not null && _firstImporter.TryGetTarget(out Runspace? first) ? first : null;
        }
    }

    /// <summary>PowerShell's own notion (internal: the runspace that lives as long as the session); null in other hosts.</summary>
    private static readonly PropertyInfo? PrimaryRunspaceProperty =
        typeof(Runspace).GetProperty("PrimaryRunspace", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public);
}
