using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace Nectr.Benchmarks.Parser;

/// <summary>
/// A file's bytes mapped read-only into memory, as a <see cref="Memory{T}"/> the parser can hold. Reading a 60 MB diff
/// into a new array cost more than parsing it on this machine's VM (about 15,000 page faults on fresh memory, plus
/// the copy); a mapping shares the page cache's pages and faults them in ahead of the reader.
/// </summary>
internal sealed unsafe class MappedFile : MemoryManager<byte>
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _pointer;
    private readonly int _length;

    public MappedFile(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (file.Length > Array.MaxLength)
        {
            throw new IOException($"{path} is {file.Length} bytes; the parser reads at most {Array.MaxLength}.");
        }

        _length = (int)file.Length;
        if (_length == 0)
        {
            return; // an empty file cannot be mapped, and there is nothing to map
        }

        _map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        _view = _map.CreateViewAccessor(0, _length, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _pointer = pointer + _view.PointerOffset;
    }

    public override Span<byte> GetSpan() => _length == 0 ? [] : new Span<byte>(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
        // The mapping does not move; nothing to release per pin.
    }

    protected override void Dispose(bool disposing)
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }

        _map?.Dispose();
    }
}
