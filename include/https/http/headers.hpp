// An ordered HTTP header list with case-insensitive lookup, and the RFC 9110 token/value rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace https::http {

namespace detail {
inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') {
            x = static_cast<char>(x - 'A' + 'a');
        }
        if (y >= 'A' && y <= 'Z') {
            y = static_cast<char>(y - 'A' + 'a');
        }
        if (x != y) {
            return false;
        }
    }
    return true;
}

/// RFC 9110 §5.6.2 tchar.
inline bool is_token_char(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

inline bool is_token(std::string_view s) noexcept {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (!is_token_char(c)) {
            return false;
        }
    }
    return true;
}

/// A field value as we accept or send it: visible ASCII, SP, HTAB and obs-text; never CR, LF, NUL.
inline bool is_field_value(std::string_view s) noexcept {
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f) {
            return false;
        }
    }
    return true;
}
} // namespace detail

/// Header fields in the order received or to be sent. Names compare case-insensitively.
class headers {
public:
    using field = std::pair<std::string, std::string>;

    void add(std::string name, std::string value) {
        fields_.emplace_back(std::move(name), std::move(value));
    }
    /// Replace every field called `name` with one field.
    void set(std::string_view name, std::string value) {
        remove(name);
        add(std::string(name), std::move(value));
    }
    void remove(std::string_view name) {
        std::erase_if(fields_, [&](const field& f) { return detail::iequals(f.first, name); });
    }
    /// The first value of `name`, if present.
    [[nodiscard]] std::optional<std::string> get(std::string_view name) const {
        for (const auto& f : fields_) {
            if (detail::iequals(f.first, name)) {
                return f.second;
            }
        }
        return std::nullopt;
    }
    [[nodiscard]] bool contains(std::string_view name) const { return get(name).has_value(); }
    /// Every value of `name`, in order.
    [[nodiscard]] std::vector<std::string> get_all(std::string_view name) const {
        std::vector<std::string> out;
        for (const auto& f : fields_) {
            if (detail::iequals(f.first, name)) {
                out.push_back(f.second);
            }
        }
        return out;
    }
    /// True when a comma-separated list header (e.g. Connection) contains `token`.
    [[nodiscard]] bool has_token(std::string_view name, std::string_view token) const {
        for (const auto& value : get_all(name)) {
            std::string_view v = value;
            while (!v.empty()) {
                auto comma = v.find(',');
                std::string_view item = v.substr(0, comma);
                while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) {
                    item.remove_prefix(1);
                }
                while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) {
                    item.remove_suffix(1);
                }
                if (detail::iequals(item, token)) {
                    return true;
                }
                if (comma == std::string_view::npos) {
                    break;
                }
                v.remove_prefix(comma + 1);
            }
        }
        return false;
    }

    [[nodiscard]] std::size_t size() const noexcept { return fields_.size(); }
    [[nodiscard]] bool empty() const noexcept { return fields_.empty(); }
    [[nodiscard]] auto begin() const noexcept { return fields_.begin(); }
    [[nodiscard]] auto end() const noexcept { return fields_.end(); }

private:
    std::vector<field> fields_;
};

} // namespace https::http
