def worklist(request):
    raise NotImplementedError


def register_xlsx(request):
    raise NotImplementedError
