using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ExoKit;

/// <summary>
/// Finds the Rust library when the module is imported. The library ships as
/// <c>runtimes/&lt;rid&gt;/native/&lt;file&gt;</c> beside ExoKit.dll, a layout PowerShell's own
/// probing does not search, so a resolver loads it by full path.
/// </summary>
public sealed class ModuleInit : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly object Gate = new();
    private static bool _registered;
    private static IntPtr _handle;

    /// <summary>Remove-Module ExoKit disconnects this runspace: a later import starts unconnected.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        Connections.Disconnect(null);
    }

    public void OnImport()
    {
        Connections.Imported();
        // OnImport runs again for every runspace that imports the module, but .NET allows one
        // resolver per assembly and process: register once, answer every later import from it.
        lock (Gate)
        {
            if (_registered)
            {
                return;
            }
            NativeLibrary.SetDllImportResolver(typeof(ModuleInit).Assembly, Resolve);
            _registered = true;
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != ExoKit.Native.Interop.NativeLib)
        {
            return IntPtr.Zero;
        }
        lock (Gate)
        {
            if (_handle == IntPtr.Zero)
            {
                _handle = NativeLibrary.Load(NativePath());
            }
            return _handle;
        }
    }

    /// <summary>The native library for this OS and architecture, or an error naming what was looked for.</summary>
    internal static string NativePath()
    {
        string moduleDir = Path.GetDirectoryName(typeof(ModuleInit).Assembly.Location) ?? ".";
        string file = OperatingSystem.IsWindows() ? "exokit.dll"
            : OperatingSystem.IsMacOS() ? "libexokit.dylib"
            : "libexokit.so";
        string rid = RuntimeIdentifier();
        string path = Path.Combine(moduleDir, "runtimes", rid, "native", file);
        if (!File.Exists(path))
        {
            throw new DllNotFoundException(
                $"ExoKit's native library for {rid} was not found at '{path}'. This build of the module does not support this platform, or the module folder is incomplete.");
        }
        return path;
    }

    private static string RuntimeIdentifier()
    {
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        return $"{os}-{arch}";
    }
}
