// Writing a file so that it is replaced whole: a reader, or the disk after a crash, sees either
// the old content or the new, never a mix or a truncated file. Checkpoints are written this way.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string_view>

namespace gpufm {

// Writes the bytes to PATH.tmp-<pid> in the same directory, syncs it, renames it over PATH and
// syncs the directory. On failure the temporary file is removed, PATH keeps its old content (if
// any) and IoError says "could not write PATH: <system reason>"; only when the final directory
// sync fails does PATH already hold the new content, which a crash could then still undo.
// The new file gets the default permissions (0666 less the umask), not those of the file it
// replaces. Two threads of one process must not write the same PATH at once.
void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes);
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

}  // namespace gpufm
