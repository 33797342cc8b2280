// auth/validators.h — Django's account rules: username characters, e-mail syntax, phone format and
// the four default password validators (similarity, minimum length, common, all-numeric).
// Messages are Django's Korean translations (the reference runs with LANGUAGE_CODE=ko-kr).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace shop::auth {

// Counts UTF-8 code points (Django measures lengths in characters).
size_t char_length(std::string_view s);

// ^[\w.@+-]+$, at most 150 characters. Non-ASCII letters count as \w.
bool valid_username(std::string_view s);
// Django's EmailValidator (ASCII addresses), at most 254 characters.
bool valid_email(std::string_view s);
// Lower-cases the domain part, as Django's normalize_email does.
std::string normalize_email(std::string_view s);
// ^\d{2,3}-\d{3,4}-\d{4}$
bool valid_phone(std::string_view s);

struct UserAttributes {
  std::string_view username, email, first_name, last_name;
};
// Runs the validators in Django's order; returns the first failure's message, nullopt when the
// password is acceptable.
std::optional<std::string> password_problem(std::string_view password, const UserAttributes& user);

}  // namespace shop::auth
