from .choices import Role
from .models import User

DEMO_PASSWORD = "motcua@2026"

# username, full name, role, agency code, job title
DEMO_USERS = [
    ("admin", "Quản trị hệ thống", Role.ADMIN, "H31", "Quản trị viên"),
    ("clerk", "Nguyễn Thị Lan", Role.CLERK, "H31.101.01", "Công chức tiếp nhận và trả kết quả"),
    ("officer", "Trần Văn Minh", Role.OFFICER, "H31.101.03", "Công chức Văn hóa - Xã hội (tư pháp - hộ tịch)"),
    ("officer2", "Lê Thị Hoa", Role.OFFICER, "H31.101.04", "Công chức Kinh tế (địa chính - xây dựng)"),
    ("head", "Phạm Văn Hùng", Role.LEADER, "H31.101.03", "Trưởng phòng Văn hóa - Xã hội"),
    ("leader", "Vũ Đức Thắng", Role.LEADER, "H31.101", "Phó Chủ tịch UBND xã"),
    ("clerk_nbk", "Đỗ Thị Mai", Role.CLERK, "H31.102.01", "Công chức tiếp nhận và trả kết quả"),
    ("officer_nbk", "Hoàng Văn Nam", Role.OFFICER, "H31.102.03", "Công chức Văn hóa - Xã hội"),
    ("leader_nbk", "Bùi Thị Thu", Role.LEADER, "H31.102", "Chủ tịch UBND xã"),
    ("leader_province", "Ngô Quang Huy", Role.LEADER, "H31", "Lãnh đạo Văn phòng UBND thành phố"),
]


def seed_demo_users(agencies, *, password=DEMO_PASSWORD) -> list[User]:
    users = []
    for username, full_name, role, agency_code, job_title in DEMO_USERS:
        last, _space, first = full_name.rpartition(" ")
        user, created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.role, user.agency, user.job_title = role, agencies[agency_code], job_title
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        user.is_active = True
        user.set_password(password)
        user.save()
        users.append(user)
    return users
