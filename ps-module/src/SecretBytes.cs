using System;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using ExoKit.Native;
using ExoKit.Native.Common;

namespace ExoKit;

/// <summary>
/// A SecureString as pinned UTF-8 bytes for one call into Rust, zeroed when disposed. The
/// plaintext never becomes a managed string.
/// </summary>
internal sealed class SecretBytes : IDisposable
{
    private readonly byte[] _bytes;
    private GCHandle _pin;

    internal SecretBytes(SecureString secret)
    {
        IntPtr unicode = Marshal.SecureStringToGlobalAllocUnicode(secret);
        try
        {
            unsafe
            {
                var chars = new ReadOnlySpan<char>((char*)unicode, secret.Length);
                _bytes = GC.AllocateUninitializedArray<byte>(Encoding.UTF8.GetByteCount(chars), pinned: true);
                Encoding.UTF8.GetBytes(chars, _bytes);
            }
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(unicode);
        }
        _pin = GCHandle.Alloc(_bytes, GCHandleType.Pinned);
    }

    /// <summary>Takes bytes that may hold secrets (a JSON of variables); they are zeroed on dispose.</summary>
    internal SecretBytes(byte[] bytes)
    {
        _bytes = bytes;
        _pin = GCHandle.Alloc(_bytes, GCHandleType.Pinned);
    }

    /// <summary>A borrowed view for the duration of one native call.</summary>
    internal SliceByte Slice => SliceByte.From(_pin.AddrOfPinnedObject(), (ulong)_bytes.Length);

    public void Dispose()
    {
        CryptographicZero();
        if (_pin.IsAllocated)
        {
            _pin.Free();
        }
    }

    private void CryptographicZero()
    {
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_bytes);
    }
}
